// Placeholder until the CLI lands (same session).
process.stdout.write('divest\n');
