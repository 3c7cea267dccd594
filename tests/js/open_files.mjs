// Which weight files a Node process has open, to check that a load closes them.
import fs from 'node:fs';

/**
 * Paths of the safetensors files and hubwasm download temporaries this
 * process has open (Linux /proc/self/fd), but for those under `except` (e.g.
 * the folder an in-process Hub server serves, which may still be closing a
 * stream).
 */
export function openWeightFiles(except = null) {
  return fs.readdirSync('/proc/self/fd')
    .map((fd) => { try { return fs.readlinkSync(`/proc/self/fd/${fd}`); } catch { return ''; } })
    .filter((target) => /\.safetensors|hubwasm-download/.test(target) && !(except && target.startsWith(except)));
}
