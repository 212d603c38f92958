// Prints the HTTP status of a GET (000 when nothing answers), so the shell scripts need no curl:
//   node http-status.mjs <url> [authorization-header-value]
const [url, authorization] = process.argv.slice(2);
try {
  const response = await fetch(url, {
    headers: authorization ? { Authorization: authorization } : {},
    signal: AbortSignal.timeout(3_000),
  });
  await response.arrayBuffer();
  process.stdout.write(`${response.status}\n`);
} catch {
  process.stdout.write('000\n');
}
