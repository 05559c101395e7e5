/** Sends the browser's requests for https://api.basic.tech (REST and socket) to a local server. */
import type { BrowserContext } from 'playwright-core';
import WebSocket from 'ws';

export async function routeBasicToLocalServer(context: BrowserContext, server: { url: string; wsUrl: string }): Promise<void> {
  await context.route('https://api.basic.tech/**', async (route) => {
    const url = new URL(route.request().url());
    const response = await route.fetch({ url: `${server.url}${url.pathname}${url.search}`, maxRedirects: 0 });
    await route.fulfill({ response });
  });
  await context.routeWebSocket('wss://api.basic.tech/ws', (route) => {
    const upstream = new WebSocket(server.wsUrl);
    const early: string[] = [];
    const closeCode = (code: number) => (code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000);
    upstream.on('open', () => early.splice(0).forEach((m) => upstream.send(m)));
    upstream.on('message', (data) => route.send(data.toString()));
    upstream.on('close', (code, reason) => route.close({ code: closeCode(code), reason: reason.toString() }));
    upstream.on('error', () => route.close({ code: 1000 }));
    route.onMessage((message) => {
      const text = String(message);
      if (upstream.readyState === WebSocket.OPEN) upstream.send(text);
      else early.push(text);
    });
    route.onClose(() => upstream.close());
  });
}
