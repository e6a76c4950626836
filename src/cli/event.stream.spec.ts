import { EventStreamParser } from './event.stream';

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
});
