import { CliError } from './cli.error';

/** One server-sent event: its type (`message` when unnamed) and its data lines joined. */
export interface StreamEvent {
  event: string;
  data: string;
}

/** The most a line, or an event's data in all, may hold: a run's event is about 1 KB. */
export const MAX_EVENT_CHARS = 1_048_576;

const LF = 10;
const CR = 13;

/**
 * Parses a text/event-stream as it arrives, in chunks cut anywhere; comments are dropped. Linear:
 * each character is looked at once and only the unfinished line is kept, at most MAX_EVENT_CHARS of
 * it, so a stream that never ends its line cannot take the memory or the CPU of the CLI.
 */
export class EventStreamParser {
  private line = '';
  private lastWasCR = false;
  private event = 'message';
  private data: string[] = [];
  private dataChars = 0;

  push(text: string): StreamEvent[] {
    const events: StreamEvent[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== LF && c !== CR) continue;
      // The LF of a CRLF (perhaps cut between two chunks) ends nothing more.
      const crlf = c === LF && this.lastWasCR && i === start;
      this.lastWasCR = c === CR;
      if (!crlf) {
        this.take(text, start, i);
        this.endLine(events);
      }
      start = i + 1;
    }
    if (start < text.length) {
      this.lastWasCR = false;
      this.take(text, start, text.length);
    }
    return events;
  }

  private take(text: string, from: number, to: number): void {
    if (this.line.length + (to - from) > MAX_EVENT_CHARS) throw tooLong();
    if (to > from) this.line += text.slice(from, to);
  }

  private endLine(events: StreamEvent[]): void {
    const line = this.line;
    this.line = '';
    if (line === '') {
      if (this.data.length > 0) events.push({ event: this.event, data: this.data.join('\n') });
      this.event = 'message';
      this.data = [];
      this.dataChars = 0;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
    if (field === 'event') this.event = value;
    else if (field === 'data') {
      this.dataChars += value.length + 1;
      if (this.dataChars > MAX_EVENT_CHARS) throw tooLong();
      this.data.push(value);
    }
  }
}

function tooLong(): CliError {
  return new CliError(
    `the service sent an event longer than ${MAX_EVENT_CHARS} characters; a run's events are a few KB: is --url right?`,
  );
}
