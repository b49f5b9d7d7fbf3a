// A reader that stops early (`vitals-collector export | head`) is no error for a CLI that streams
// output: it ends at once, quietly, with status 0, as Unix tools do on SIGPIPE (Node ignores SIGPIPE).

/** Makes an EPIPE on these streams end the process with status 0; any other stream error stays fatal. */
export function exitQuietlyOnClosedPipe(
  streams: NodeJS.WritableStream[] = [process.stdout, process.stderr],
  exit: (code: number) => void = process.exit,
): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      exit(0);
    });
  }
}
