// The one internal of systeminformation the agent uses: its persistent-PowerShell runner.
declare module 'systeminformation/lib/util.js' {
  const util: { powerShell(cmd: string): Promise<string> };
  export default util;
}
