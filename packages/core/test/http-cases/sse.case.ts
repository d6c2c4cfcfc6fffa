/** `GET /agents/:id/events`: Server-Sent Events, snapshot, one `status` event per transition, keepalive, resume.
 *
 * Shared by every binding (see harness.ts): `sseCases(binding)`.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import {
  type Harness,
  runningAgent,
  type BindingUnderTest,
  caseTest,
  type HarnessOptions,
  startBindingHarness,
} from './harness.js';

/** Register these cases for `binding`. */
export function sseCases(binding: BindingUnderTest): void {
  const test = caseTest(binding);
  const startHarness = (options?: HarnessOptions) => startBindingHarness(binding, options);

  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ router: { sseHeartbeatMs: 25 } });
  });
  afterAll(async () => {
    await h.close();
  });

  interface SseMessage {
    event: string;
    id: string | undefined;
    data: string;
    comment: string | undefined;
  }

  /** A minimal SSE reader over fetch: yields every message and comment block. */
  async function openStream(path: string, headers: Record<string, string> = {}) {
    const controller = new AbortController();
    const res = await fetch(h.url + path, {
      headers: { authorization: 'Bearer op:acme', accept: 'text/event-stream', ...headers },
      signal: controller.signal,
    });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    const queue: SseMessage[] = [];
    async function next(): Promise<SseMessage> {
      for (;;) {
        const shifted = queue.shift();
        if (shifted) return shifted;
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += value;
        let cut = buffer.indexOf('\n\n');
        while (cut >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const msg: SseMessage = { event: 'message', id: undefined, data: '', comment: undefined };
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) msg.comment = line.slice(1).trim();
            else if (line.startsWith('event: ')) msg.event = line.slice(7);
            else if (line.startsWith('id: ')) msg.id = line.slice(4);
            else if (line.startsWith('data: ')) msg.data += line.slice(6);
            else if (line.startsWith('retry: ')) msg.event = 'retry';
          }
          queue.push(msg);
          cut = buffer.indexOf('\n\n');
        }
      }
    }
    /** The next message that is an event (not a comment or retry line). */
    async function nextEvent(): Promise<SseMessage> {
      for (;;) {
        const m = await next();
        if (m.comment === undefined && m.event !== 'retry') return m;
      }
    }
    return { res, next, nextEvent, close: () => controller.abort() };
  }

  test('a snapshot first, then one status event per transition with id = version', async () => {
    const agent = await runningAgent(h, 'acme', 'streamed');
    const stream = await openStream(`/agents/${agent.id}/events`);
    try {
      expect(stream.res.status).toBe(200);
      expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const snapshot = await stream.nextEvent();
      expect(snapshot.event).toBe('snapshot');
      expect(snapshot.id).toBe(String(agent.version));
      expect(JSON.parse(snapshot.data)).toMatchObject({ status: 'running', version: agent.version });

      const paused = await h.call('POST', `/agents/${agent.id}/actions/pause`, { json: { reason: 'x' } });
      const event = await stream.nextEvent();
      expect(event.event).toBe('status');
      expect(event.id).toBe(String(paused.body.agent.version));
      const data = JSON.parse(event.data);
      expect(data).toEqual({
        status: 'paused',
        from: 'running',
        action: 'pause',
        at: expect.any(String),
        version: paused.body.agent.version,
      });
      expect(Number.isNaN(Date.parse(data.at))).toBe(false);
    } finally {
      stream.close();
    }
  });

  test('a keepalive comment keeps an idle stream open', async () => {
    const agent = await runningAgent(h, 'acme', 'idle');
    const stream = await openStream(`/agents/${agent.id}/events`);
    try {
      let m = await stream.next();
      while (m.comment !== 'keepalive') m = await stream.next();
      expect(m.comment).toBe('keepalive');
    } finally {
      stream.close();
    }
  });

  test('a stop shows stopping then stopped', async () => {
    const agent = await runningAgent(h, 'acme', 'stop-stream');
    const stream = await openStream(`/agents/${agent.id}/events`);
    try {
      await stream.nextEvent(); // snapshot
      await h.call('POST', `/agents/${agent.id}/actions/stop`);
      const a = JSON.parse((await stream.nextEvent()).data);
      const b = JSON.parse((await stream.nextEvent()).data);
      expect([a.status, b.status]).toEqual(['stopping', 'stopped']);
      expect(b.version).toBeGreaterThan(a.version);
    } finally {
      stream.close();
    }
  });

  test('reconnecting with Last-Event-ID catches up to where the agent is now, never repeating old versions', async () => {
    const agent = await runningAgent(h, 'acme', 'resumer');
    const first = await openStream(`/agents/${agent.id}/events`);
    const snapshot = await first.nextEvent();
    first.close();
    const seen = Number(snapshot.id);

    await h.call('POST', `/agents/${agent.id}/actions/pause`, { json: { reason: 'away' } });
    await h.call('POST', `/agents/${agent.id}/actions/resume`);
    const now = await h.manager.get(agent.id);

    const second = await openStream(`/agents/${agent.id}/events`, { 'last-event-id': String(seen) });
    try {
      const caughtUp: { id: number; status: string }[] = [];
      while (caughtUp.at(-1)?.id !== now.version) {
        const m = await second.nextEvent();
        caughtUp.push({ id: Number(m.id), status: JSON.parse(m.data).status });
      }
      for (const e of caughtUp) expect(e.id).toBeGreaterThan(seen);
      expect(caughtUp.at(-1)!.status).toBe(now.status);
      // Still live afterwards.
      await h.call('POST', `/agents/${agent.id}/actions/pause`, { json: { reason: 'again' } });
      const live = JSON.parse((await second.nextEvent()).data);
      expect(live.status).toBe('paused');
    } finally {
      second.close();
    }
  });

  test('reconnecting with Last-Event-ID replays each missed transition from the audit trail', async () => {
    const agent = await runningAgent(h, 'acme', 'replayer');
    const seen = agent.version;
    await h.call('POST', `/agents/${agent.id}/actions/pause`, { json: { reason: 'away' } });
    await h.call('POST', `/agents/${agent.id}/actions/resume`);
    await h.call('POST', `/agents/${agent.id}/actions/stop`);
    await h.manager.settle();
    const stream = await openStream(`/agents/${agent.id}/events`, { 'last-event-id': String(seen) });
    try {
      const replayed: { event: string; id: number; data: Record<string, unknown> }[] = [];
      for (let i = 0; i < 4; i++) {
        const m = await stream.nextEvent();
        replayed.push({ event: m.event, id: Number(m.id), data: JSON.parse(m.data) });
      }
      expect(replayed.map((e) => e.event)).toEqual(['status', 'status', 'status', 'status']);
      expect(replayed.map((e) => [e.data.from, e.data.action, e.data.status])).toEqual([
        ['running', 'pause', 'paused'],
        ['paused', 'resume', 'running'],
        ['running', 'stop', 'stopping'],
        ['stopping', 'op_succeeded', 'stopped'],
      ]);
      const ids = replayed.map((e) => e.id);
      expect(ids[0]).toBe(seen + 1);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      expect(ids.at(-1)).toBe((await h.manager.get(agent.id)).version);
    } finally {
      stream.close();
    }
  });

  test('reconnecting at the current version replays nothing', async () => {
    const agent = await runningAgent(h, 'acme', 'uptodate');
    const stream = await openStream(`/agents/${agent.id}/events`, { 'last-event-id': String(agent.version) });
    try {
      let m = await stream.next();
      while (m.comment !== 'keepalive') {
        expect(m.event).toBe('retry');
        m = await stream.next();
      }
      await h.call('POST', `/agents/${agent.id}/actions/pause`, { json: { reason: 'x' } });
      const e = await stream.nextEvent();
      expect(e.event).toBe('status');
      expect(Number(e.id)).toBe(agent.version + 1);
    } finally {
      stream.close();
    }
  });

  test('another owner’s agent is a 404 problem, not a stream', async () => {
    const agent = await runningAgent(h, 'acme', 'private-stream');
    const r = await h.call('GET', `/agents/${agent.id}/events`, { owner: 'mallory' });
    expect(r.status).toBe(404);
    expect(r.contentType).toMatch(/^application\/problem\+json/);
  });

  test('closing streams removes their listeners', async () => {
    const agent = await runningAgent(h, 'acme', 'listeners');
    const before = h.manager.events.listenerCount('transition');
    const stream = await openStream(`/agents/${agent.id}/events`);
    await stream.nextEvent();
    expect(h.manager.events.listenerCount('transition')).toBe(before + 1);
    stream.close();
    while (h.manager.events.listenerCount('transition') !== before)
      await new Promise((r) => setTimeout(r, 5));
    expect(h.manager.events.listenerCount('transition')).toBe(before);
  });
}
