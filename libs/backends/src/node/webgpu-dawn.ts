import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Debian's chromium ships SwiftShader, a CPU Vulkan driver: enough for Dawn on GPU-less boxes. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

// glibc's RTLD_NODELETE; Node's os.constants.dlopen does not list it.
const RTLD_NOW = 2;
const RTLD_GLOBAL = 0x100;
const RTLD_NODELETE = 0x1000;

export interface VulkanSetup {
  /** The ICD manifest Vulkan will use, when one was given or found. */
  icd?: string;
  /** A Vulkan loader we loaded by path because the system has none. */
  loader?: string;
}

/**
 * Points Vulkan at SwiftShader when nothing else was chosen. Must run before Dawn creates its
 * instance: the loader reads VK_ICD_FILENAMES then.
 *
 * Dawn dlopens "libvulkan.so.1" by soname; hosts with chromium but without the libvulkan1 package
 * have a loader only in chromium's folder. Loading that one first, RTLD_GLOBAL | RTLD_NODELETE,
 * makes Dawn's dlopen find it already mapped. process.dlopen then throws "did not self-register"
 * (it is not a Node addon), which is expected; NODELETE keeps it loaded anyway.
 */
export function configureVulkan(env: NodeJS.ProcessEnv = process.env): VulkanSetup {
  if (env.VK_ICD_FILENAMES == null && existsSync(SWIFTSHADER_ICD)) {
    env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  const icd = env.VK_ICD_FILENAMES;
  if (icd == null || process.platform !== 'linux') return { icd };
  const loader = join(dirname(icd.split(':')[0]), 'libvulkan.so.1');
  if (!existsSync(loader)) return { icd };
  try {
    process.dlopen({ exports: {} }, loader, RTLD_NOW | RTLD_GLOBAL | RTLD_NODELETE);
  } catch {
    // Expected: see above. A loader that truly failed shows up as "no adapter" below.
  }
  return { icd, loader };
}

type GpuNavigator = { gpu?: GPU };

/** The GPU object we installed, kept so disposal removes exactly ours. */
let installed: GPU | undefined;

/**
 * Installs `navigator.gpu` from Dawn (npm `webgpu`) and checks an adapter exists, so a missing
 * driver is reported here, by name, rather than as a TypeError inside tfjs-backend-webgpu.
 * Must run before `import('@tensorflow/tfjs-backend-webgpu')`, which only registers itself when
 * navigator.gpu exists at import time.
 */
export async function installNavigatorGpu(): Promise<{ adapter: string } & VulkanSetup> {
  const vulkan = configureVulkan();
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const g = globalThis as unknown as { navigator?: GpuNavigator };
  // Node 20 has no global navigator (Node 21 added one).
  if (g.navigator == null) g.navigator = {};
  const gpu = installed ?? create([]);
  installed = gpu;
  g.navigator.gpu = gpu;
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter == null) {
    uninstallNavigatorGpu();
    throw new Error(
      'WebGPU: Dawn found no GPU adapter. ' +
        (vulkan.icd
          ? `VK_ICD_FILENAMES=${vulkan.icd}${vulkan.loader ? `, loader ${vulkan.loader}` : ''}; check that driver loads (libvulkan1 installed?).`
          : `No Vulkan driver chosen: install GPU drivers, or chromium for SwiftShader (${SWIFTSHADER_ICD}), or set VK_ICD_FILENAMES.`),
    );
  }
  const { vendor, architecture, description } = adapter.info;
  return { adapter: [vendor, architecture, description].filter(Boolean).join(' ') || 'unnamed adapter', ...vulkan };
}

/** Drops our navigator.gpu: Dawn keeps the event loop alive while it is referenced. */
export function uninstallNavigatorGpu(): void {
  const g = globalThis as unknown as { navigator?: GpuNavigator };
  if (installed != null && g.navigator?.gpu === installed) delete g.navigator.gpu;
  installed = undefined;
}
