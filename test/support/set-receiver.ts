import { type Server, createServer } from 'node:http';

export interface ReceivedSet {
  contentType: string | undefined;
  body: string;
}

/** A bare RFC 8935 receiver on a loopback port: records each POST and answers 202. */
export async function startSetReceiver(): Promise<{ url: string; received: ReceivedSet[]; close(): Promise<void> }> {
  const received: ReceivedSet[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ contentType: req.headers['content-type'], body });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/risc/events`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
