/** One server-sent event: its type (`message` when unnamed) and its data lines joined. */
export interface StreamEvent {
  event: string;
  data: string;
}

/** Parses a text/event-stream as it arrives, in chunks cut anywhere; comments are dropped. */
export class EventStreamParser {
  private buffer = '';

  push(text: string): StreamEvent[] {
    this.buffer += text;
    const events: StreamEvent[] = [];
    let end: RegExpExecArray | null;
    while ((end = /\r?\n\r?\n/.exec(this.buffer)) !== null) {
      const block = this.buffer.slice(0, end.index);
      this.buffer = this.buffer.slice(end.index + end[0].length);
      const event = parseBlock(block);
      if (event) events.push(event);
    }
    return events;
  }
}

function parseBlock(block: string): StreamEvent | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length > 0 ? { event, data: data.join('\n') } : undefined;
}
