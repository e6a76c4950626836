import { CliError } from './cli.error';
import { EventStreamParser, MAX_EVENT_CHARS } from './event.stream';

describe('EventStreamParser', () => {
  it('should give each event once its blank line has arrived, whatever the chunks', () => {
    const parser = new EventStreamParser();
    expect(parser.push('\nevent: progress\nid: 1\ndata: {"rowsRead"')).toEqual([]);
    expect(parser.push(':10}\n\nevent: end\r\ndata: {"rowsRead":20}\r\n\r\n')).toEqual([
      { event: 'progress', data: '{"rowsRead":10}' },
      { event: 'end', data: '{"rowsRead":20}' },
    ]);
  });

  it('should drop comments and join data lines when an event has several', () => {
    const parser = new EventStreamParser();
    expect(parser.push(': waiting\n\ndata: a\ndata: b\n\n')).toEqual([{ event: 'message', data: 'a\nb' }]);
  });

  it('should end lines at CR, LF or CRLF when a CRLF is cut between two chunks', () => {
    const parser = new EventStreamParser();
    expect(parser.push('data: a\r')).toEqual([]);
    expect(parser.push('\ndata: b\r\rdata: c\n\n')).toEqual([
      { event: 'message', data: 'a\nb' },
      { event: 'message', data: 'c' },
    ]);
  });

  it('should stop with a clear error when one line runs past the cap, keeping no more of it', () => {
    const parser = new EventStreamParser();
    const chunk = 'x'.repeat(64 * 1024);
    expect(parser.push('data: ')).toEqual([]);
    let error: unknown;
    try {
      for (let sent = 0; sent <= MAX_EVENT_CHARS; sent += chunk.length) parser.push(chunk);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CliError);
    expect((error as Error).message).toMatch(/^the service sent an event longer than 1048576 characters/);
  });

  it("should stop with a clear error when an event's data lines add up past the cap", () => {
    const parser = new EventStreamParser();
    const line = `data: ${'y'.repeat(1000)}\n`;
    expect(() => {
      for (let i = 0; i <= MAX_EVENT_CHARS / 1000; i++) parser.push(line);
    }).toThrow(CliError);
  });
});
