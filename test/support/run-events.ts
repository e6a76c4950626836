/** One server-sent event as a client sees it; comments are left out. */
export interface ServerSentEvent {
  event: string;
  id?: string;
  data: string;
}

/** Splits a text/event-stream body into its events (blank-line separated blocks). */
export function parseServerSentEvents(text: string): ServerSentEvent[] {
  const events: ServerSentEvent[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'id') id = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0) events.push({ event, id, data: data.join('\n') });
  }
  return events;
}

/** Reads a run's event stream to its end, as `curl -N` would. */
export async function readRunEvents(
  baseUrl: string,
  runId: number | string,
): Promise<{ status: number; contentType: string | null; events: ServerSentEvent[]; body: string }> {
  const response = await fetch(`${baseUrl}/migrate/runs/${runId}/events`);
  const body = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    events: response.headers.get('content-type')?.startsWith('text/event-stream') ? parseServerSentEvents(body) : [],
    body,
  };
}
