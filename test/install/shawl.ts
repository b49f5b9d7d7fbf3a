// shawl.exe for the Windows install tests: the same verified file the agent build ships.
export { ensureShawl, SHAWL_PACKAGE, SHAWL_SHA256 } from '../../scripts/shawl.mjs';
