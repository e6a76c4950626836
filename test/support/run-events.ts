import { EventStreamParser, type StreamEvent } from '../../src/cli/event.stream';

/** Splits a whole text/event-stream body into its events, with the parser the CLI uses. */
export function parseServerSentEvents(text: string): StreamEvent[] {
  return new EventStreamParser().push(`${text}\n\n`);
}

/** Reads a run's event stream to its end, as `curl -N` would. */
export async function readRunEvents(
  baseUrl: string,
  runId: number | string,
): Promise<{ status: number; contentType: string | null; events: StreamEvent[]; body: string }> {
  const response = await fetch(`${baseUrl}/migrate/runs/${runId}/events`);
  const body = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    events: response.headers.get('content-type')?.startsWith('text/event-stream') ? parseServerSentEvents(body) : [],
    body,
  };
}
