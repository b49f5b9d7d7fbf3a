// Reads `smartctl -j` output (smartmontools ≥ 7.0) into a verdict per disk: overall health, bad-sector
// counts, wear and temperature. Pure: the smart check feeds it text; tests feed it captured fixtures.
import type { Measurement, Status } from '@vitals/shared';
import type { CheckOutcome } from './check.js';

/** `smartctl.exit_status` bits (smartctl(8) "RETURN VALUES"). */
export const EXIT_BIT = {
  commandLine: 1,
  openFailed: 2,
  smartCommandFailed: 4,
  diskFailing: 8,
  prefailAtThreshold: 16,
  pastThreshold: 32,
  errorLog: 64,
  selfTestLog: 128,
} as const;

export interface ScanDevice {
  name: string;
  /** The `-d` type smartctl detected ("sat", "nvme", "scsi"…). */
  type: string | undefined;
}

export interface SmartLimits {
  warnTemperatureC: number;
  warnWearPercent: number;
}

export class SmartOutputError extends Error {
  override name = 'SmartOutputError';
}

type Json = Record<string, unknown>;

function parseJson(text: string, what: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SmartOutputError(`${what} is not valid JSON (${(error as Error).message}); truncated output?`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SmartOutputError(`${what} is not a smartctl JSON document`);
  return value as Json;
}

const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Devices from `smartctl -j --scan-open`; a VM usually has none (the key is then absent). */
export function parseScan(text: string): ScanDevice[] {
  const doc = parseJson(text, 'smartctl --scan-open output');
  const devices = Array.isArray(doc.devices) ? doc.devices : [];
  return devices.flatMap((d) => {
    const name = str(obj(d).name);
    return name ? [{ name, type: str(obj(d).type) }] : [];
  });
}

function messagesOf(doc: Json): string[] {
  const list = obj(doc.smartctl).messages;
  return Array.isArray(list) ? list.flatMap((m) => str(obj(m).string) ?? []) : [];
}

const NO_RIGHTS = /permission denied|access is denied|requires root|administrator/i;

interface Readings {
  health: 'PASSED' | 'FAILED' | undefined;
  temperature: number | undefined;
  reallocated: number | undefined;
  pending: number | undefined;
  uncorrectable: number | undefined;
  wear: number | undefined;
  powerOnHours: number | undefined;
  nvmeCriticalWarning: number | undefined;
}

function ataAttributes(doc: Json): Map<number, { value: number | undefined; raw: number | undefined }> {
  const table = obj(doc.ata_smart_attributes).table;
  const byId = new Map<number, { value: number | undefined; raw: number | undefined }>();
  if (!Array.isArray(table)) return byId;
  for (const row of table) {
    const id = num(obj(row).id);
    if (id !== undefined) byId.set(id, { value: num(obj(row).value), raw: num(obj(obj(row).raw).value) });
  }
  return byId;
}

// Normalised "life left" attributes (100 = new) of common SSD vendors: 177 Samsung, 231 many
// (SSD_Life_Left), 233 Intel (Media_Wearout_Indicator), 202 Crucial/Micron (Percent_Lifetime_Remain).
const ATA_LIFE_LEFT = [177, 231, 233, 202];

function readings(doc: Json): Readings {
  const status = obj(doc.smart_status);
  const nvme =
    doc.nvme_smart_health_information_log === undefined ? undefined : obj(doc.nvme_smart_health_information_log);
  const attrs = ataAttributes(doc);
  const raw = (id: number) => attrs.get(id)?.raw;
  const sum = (...values: (number | undefined)[]) =>
    values.some((v) => v !== undefined) ? values.reduce<number>((a, v) => a + (v ?? 0), 0) : undefined;
  const life = ATA_LIFE_LEFT.map((id) => attrs.get(id)?.value).find((v) => v !== undefined && v <= 100);
  const scsiDefects = num(doc.scsi_grown_defect_list);
  return {
    health: typeof status.passed === 'boolean' ? (status.passed ? 'PASSED' : 'FAILED') : undefined,
    temperature: num(obj(doc.temperature).current) ?? num(nvme?.temperature),
    reallocated: raw(5) ?? scsiDefects,
    pending: raw(197),
    // 198 Offline_Uncorrectable + 187 Reported_Uncorrect; NVMe has media_errors instead.
    uncorrectable: nvme ? num(nvme.media_errors) : sum(raw(198), raw(187)),
    wear: nvme ? num(nvme.percentage_used) : life === undefined ? undefined : 100 - life,
    powerOnHours: num(obj(doc.power_on_time).hours) ?? num(nvme?.power_on_hours),
    nvmeCriticalWarning: nvme ? num(nvme.critical_warning) : undefined,
  };
}

function valuesOf(r: Readings): Record<string, Measurement> {
  const values: Record<string, Measurement> = {};
  if (r.health) values.health = { value: r.health };
  const add = (key: string, v: number | undefined, unit: string) => {
    if (v !== undefined) values[key] = { value: v, unit };
  };
  add('temperature_c', r.temperature, 'celsius');
  add('reallocated', r.reallocated, 'count');
  add('pending', r.pending, 'count');
  add('uncorrectable', r.uncorrectable, 'count');
  add('wear_percent', r.wear, 'percent');
  add('power_on_hours', r.powerOnHours, 'hours');
  return values;
}

function problems(r: Readings, exitStatus: number, limits: SmartLimits): { status: Status; reasons: string[] } {
  const critical: string[] = [];
  const warning: string[] = [];
  if (r.health === 'FAILED' || exitStatus & EXIT_BIT.diskFailing)
    critical.push('the disk reports SMART overall health FAILED — replace it and check the backups now');
  if (r.nvmeCriticalWarning)
    critical.push(`NVMe critical warning 0x${r.nvmeCriticalWarning.toString(16).padStart(2, '0')} is set`);
  if (r.reallocated) warning.push(`${r.reallocated} reallocated sectors`);
  if (r.pending) warning.push(`${r.pending} sectors pending reallocation`);
  if (r.uncorrectable) warning.push(`${r.uncorrectable} uncorrectable errors`);
  if (exitStatus & EXIT_BIT.prefailAtThreshold && r.health !== 'FAILED')
    warning.push('a pre-failure attribute is at or below its threshold');
  if (exitStatus & EXIT_BIT.selfTestLog) warning.push('the self-test log records failed tests');
  if (r.wear !== undefined && r.wear > limits.warnWearPercent) warning.push(`${r.wear} % of its rated life is used`);
  if (r.temperature !== undefined && r.temperature > limits.warnTemperatureC)
    warning.push(`it runs hot at ${r.temperature} °C`);
  const status: Status = critical.length > 0 ? 'CRITICAL' : warning.length > 0 ? 'WARNING' : 'OK';
  return { status, reasons: [...critical, ...warning] };
}

function healthySummary(r: Readings): string {
  const parts = ['healthy'];
  if (r.temperature !== undefined) parts.push(`${r.temperature} °C`);
  if (r.wear !== undefined) parts.push(`${r.wear} % worn`);
  if (r.powerOnHours !== undefined) parts.push(`${r.powerOnHours} h powered on`);
  return parts.join(', ');
}

export interface SmartRun {
  /** The device as we asked smartctl for it; the report's own name wins when present. */
  device: string;
  stdout: string;
  /** The process exit code, used only when the JSON has no exit_status. */
  exitCode: number | null;
  /** Whether the agent runs as root / Administrator; decides what "Operation not permitted" means. */
  isAdmin: boolean;
}

/** One disk's verdict from `smartctl -j -a` output. */
export function judgeSmartReport(run: SmartRun, limits: SmartLimits): CheckOutcome {
  let doc: Json;
  try {
    doc = parseJson(run.stdout, `smartctl output for ${run.device}`);
  } catch (error) {
    return { target: run.device, status: 'UNKNOWN', values: {}, message: (error as Error).message };
  }
  const target = str(obj(doc.device).name) ?? run.device;
  const exitStatus = num(obj(doc.smartctl).exit_status) ?? run.exitCode ?? 0;
  const said = messagesOf(doc);
  const quote = said.length > 0 ? ` (smartctl: ${said.join('; ')})` : '';
  const unknown = (message: string): CheckOutcome => ({ target, status: 'UNKNOWN', values: {}, message });

  if (exitStatus & (EXIT_BIT.commandLine | EXIT_BIT.openFailed)) {
    // As root, "Operation not permitted" is the kernel refusing a SMART pass-through (virtio, some
    // RAID controllers), not a rights problem.
    const rights = said.some((m) => NO_RIGHTS.test(m) || (!run.isAdmin && /operation not permitted/i.test(m)));
    if (rights) return unknown(`reading SMART needs administrator rights (run the agent as root/SYSTEM)${quote}`);
    return unknown(`SMART not available on this disk${quote}`);
  }
  const r = readings(doc);
  const hasData = r.health !== undefined || doc.nvme_smart_health_information_log !== undefined;
  if (!hasData) {
    const why =
      exitStatus & EXIT_BIT.smartCommandFailed ? 'a SMART command failed' : 'the disk reports no SMART status';
    return unknown(`SMART not available on this disk: ${why}${quote}`);
  }

  const model = str(doc.model_name) ?? str(doc.scsi_model_name) ?? target;
  const { status, reasons } = problems(r, exitStatus, limits);
  const message = status === 'OK' ? `${model}: ${healthySummary(r)}` : `${model}: ${reasons.join('; ')}`;
  return { target, status, values: valuesOf(r), message };
}
