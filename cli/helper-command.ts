/**
 * `divest remove --helper --plan-id ID --channel stdio|socket [--socket PATH --token HEX]`: the
 * command line of the elevated helper, as the self-contained CLI runs it under pkexec, UAC or the
 * macOS administrator prompt.
 *
 * It accepts exactly these flags. `--host-root`, `--host-os`, `--data-dir` and `--catalog` are
 * refused: as administrator the helper works on the live machine, in the machine's data folder,
 * with the built-in catalog (`trusted.ts`). Nothing here imports Electron.
 */
import { lstatSync } from 'node:fs';
import net from 'node:net';
import { parseArgs } from 'node:util';
import { NodeCommandRunner } from '../core/host/runner';
import { issuesInOneLine } from '../core/validation';
import {
  AppLine,
  HELPER_EXIT,
  HelperArgs,
  PIPE_NAME_RE,
  encodeLine,
  lineReader,
  type HelperLine,
} from '../core/helper/protocol';
import { runHelper, type HelperChannel } from '../core/helper/run';
import { trustedEnvironment, type HelperEnvironment } from '../core/helper/trusted';

/** The streams of the helper process. */
export interface HelperIo {
  stdin: NodeJS.ReadableStream & { destroy?: () => void };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Parses the helper's flags (after `remove --helper`); throws a one-line reason. */
export function parseHelperArgs(argv: readonly string[]): HelperArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'plan-id': { type: 'string' },
        channel: { type: 'string' },
        socket: { type: 'string' },
        token: { type: 'string' },
        'cancel-file': { type: 'string' },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (e) {
    const m = /Unknown option '([^']+)'/.exec((e as Error).message);
    throw new Error(
      m
        ? `the removal helper does not take ${m[1]}: as administrator it works on this machine, in the machine's data folder, with the built-in catalog`
        : (e as Error).message,
    );
  }
  const parsed = HelperArgs.safeParse({
    channel: values.channel,
    planId: values['plan-id'],
    ...(values.socket !== undefined ? { socket: values.socket } : {}),
    ...(values.token !== undefined ? { token: values.token } : {}),
    ...(values['cancel-file'] !== undefined ? { cancelFile: values['cancel-file'] } : {}),
  });
  if (!parsed.success)
    throw new Error(`the removal helper's arguments: ${issuesInOneLine(parsed.error.issues)}`);
  return parsed.data;
}

/**
 * A channel over a readable and a writable side. `inputEndCloses`: the socket's end means the app
 * is gone; the stdio request is followed by the end of stdin on purpose, so there only a failed
 * write (EPIPE: the app is gone), or an end before any line, counts.
 */
function streamChannel(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  inputEndCloses: boolean,
): HelperChannel & { readonly closed: boolean } {
  let closed = false;
  let onClosed = (): void => undefined;
  const gone = (): void => {
    if (closed) return;
    closed = true;
    onClosed();
  };
  output.on('error', gone);
  return {
    get closed() {
      return closed;
    },
    send: (line: HelperLine) => {
      if (!closed) output.write(encodeLine(line));
    },
    listen(h) {
      onClosed = h.closed;
      let lines = 0;
      const line = (l: AppLine): void => {
        lines++;
        h.line(l);
      };
      input.on('data', lineReader(AppLine, line, h.bad));
      // An input that ends before the request also means the app is gone.
      const ended = (): void => {
        if (inputEndCloses || lines === 0) gone();
      };
      input.on('end', ended);
      input.on('close', ended);
      input.on('error', () => undefined);
    },
  };
}

/**
 * Turns the cancel file's appearance into a "cancel" line (checked with lstat, never opened):
 * looked for as soon as the request has arrived, then four times a second.
 */
function watchCancelFile(file: string, channel: HelperChannel): { channel: HelperChannel; stop: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  const stop = (): void => {
    done = true;
    clearInterval(timer);
  };
  return {
    channel: {
      send: (l) => channel.send(l),
      listen(h) {
        const look = (): void => {
          if (done) return;
          try {
            lstatSync(file);
          } catch {
            return;
          }
          stop();
          h.line({ kind: 'cancel' });
        };
        channel.listen({
          ...h,
          line: (l) => {
            h.line(l);
            if (l.kind === 'request' && timer === undefined) {
              look();
              timer = setInterval(look, 250);
            }
          },
        });
      },
    },
    stop,
  };
}

/** Connects to the app's pipe or socket, refusing anything at a Unix path that is not a socket. */
function connect(socketPath: string): Promise<net.Socket> {
  if (!PIPE_NAME_RE.test(socketPath)) {
    // lstat: a symbolic link planted at the socket's place is refused, never followed.
    const st = lstatSync(socketPath);
    if (!st.isSocket()) throw new Error(`${socketPath} is not the app's socket`);
  }
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath);
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error('the app did not answer on its socket'));
    }, 30_000);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/**
 * Runs the helper command; returns the exit code. `environment` is for test beds only (the CLI
 * passes none, so the helper always uses {@link trustedEnvironment}).
 */
export async function runHelperCommand(
  argv: readonly string[],
  io: HelperIo,
  environment?: () => Promise<HelperEnvironment>,
  appVersion = '0.0.0',
): Promise<number> {
  let args: HelperArgs;
  try {
    args = parseHelperArgs(argv);
  } catch (e) {
    io.stderr.write(`divest: ${(e as Error).message}\n`);
    return HELPER_EXIT.usage;
  }
  const env = environment ?? (() => trustedEnvironment({ runner: new NodeCommandRunner(), appVersion }));
  if (args.channel === 'stdio') {
    // Standard output is the protocol: nothing else may print there.
    console.log = (...a: unknown[]) => io.stderr.write(`${a.map(String).join(' ')}\n`);
    const watched = watchCancelFile(args.cancelFile, streamChannel(io.stdin, io.stdout, false));
    try {
      return await runHelper(args.planId, watched.channel, env);
    } finally {
      watched.stop();
      io.stdin.destroy?.();
    }
  }
  let socket: net.Socket;
  try {
    socket = await connect(args.socket);
  } catch (e) {
    io.stderr.write(`divest: the removal helper could not reach the app: ${(e as Error).message}\n`);
    return HELPER_EXIT.failed;
  }
  const channel = streamChannel(socket, socket, true);
  channel.send({ kind: 'hello', token: args.token });
  try {
    return await runHelper(args.planId, channel, env);
  } finally {
    await new Promise<void>((resolve) => socket.end(resolve));
  }
}
