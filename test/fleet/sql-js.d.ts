// sql.js ships no types; the tests use this much of it (test/fleet/osquery-model.ts).
declare module 'sql.js' {
  const init: (options?: object) => Promise<unknown>;
  export default init;
}
