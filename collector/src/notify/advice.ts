// "What to check first" per rule: the first thing a technician woken at 3 a.m. should look at,
// in the order that most often finds the cause at a small practice.
import type { RuleName } from '../alerting/types.js';

const ADVICE: Record<RuleName, (target: string) => string> = {
  heartbeat: () =>
    'Is the machine on and connected? Check its power and network (cable, switch, Wi-Fi), whether it hangs at ' +
    'a Windows update or a blue screen, then whether the Vitals agent service is running.',
  site_offline: () =>
    'Every machine at the site is silent at once: usually the internet line, the router/firewall or a power cut. ' +
    'Check the ISP status and the router, or call the practice.',
  disk_space: (target) =>
    `Find the biggest folders on ${target || 'the disk'} (TreeSize/WinDirStat, or du -xh --max-depth=1): logs that ` +
    'grow without rotation (SQL Server, IIS, EMR logs), backup staging and local backup copies, temp folders, ' +
    'the Recycle Bin.',
  disk_forecast: (target) =>
    `Something fills ${target || 'the disk'} steadily: logs that grow without rotation, backup staging or local ` +
    'backup copies, database transaction logs (SQL Server in full recovery without log backups), a new large ' +
    'folder.',
  backup: () =>
    "Open the backup software's job log (Windows Server Backup: Event Viewer > Microsoft > Windows > Backup; " +
    "Veeam: the job's session log): the last error, a missing or full target (USB drive unplugged, NAS " +
    'offline), expired credentials.',
  service: (target) =>
    `Look in the event log around the time ${target || 'the service'} stopped (Event Viewer > Windows Logs > ` +
    'System and Application, or journalctl -u on Linux), then start it; if it stops again, the log says why.',
  process: (target) =>
    `Check whether ${target || 'the program'} was closed or crashed (Application event log or syslog), then ` +
    'start it again.',
  command: () => "Run the check's command by hand on the host to see its whole output.",
  smart: (target) =>
    `The drive ${target} reports trouble: make sure the last backup is good and restorable first, then plan ` +
    'to replace the drive. Do not run repair tools on a failing drive before its data is copied.',
  endpoint: (target) =>
    `Open ${target || 'the address'} from the site's network: is the device or service up, does the name resolve, ` +
    'has the certificate expired? Check the device power and network first.',
  cpu: () =>
    'Open Task Manager > Details (or top) and sort by CPU: a stuck antivirus scan, a Windows update or a ' +
    'runaway program is the usual cause.',
  memory: () =>
    'Open Task Manager > Details (or top) and sort by memory: a program that leaks memory is the usual cause; ' +
    'restarting that program helps for now.',
  reboot: () => 'Schedule a restart outside practice hours so the pending updates finish installing.',
  buffer_lost: () =>
    'Check the disk of that machine (the damaged file is kept beside the new buffer); the history has a gap for the lost results.',
};

export function adviceFor(rule: RuleName, target: string): string | null {
  const advise = ADVICE[rule];
  return advise ? advise(target) : null;
}

/** For a channel whose sends keep failing. */
export function channelAdvice(channel: string): string {
  return (
    `Run \`vitals-collector notify test --channel ${channel}\` to see what the server answers; then check the ` +
    'SMTP server and its credentials, or the webhook URL and whether the receiver is up.'
  );
}
