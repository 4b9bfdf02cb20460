# Sourced by the scripts that bundle our TypeScript for a machine with only a node binary
# (build-gpu-check.sh, build-cli-bundle.sh): the esbuild flags both need, as ESBUILD_NODE_BUNDLE.
# webgpu stays external: it loads dawn.node by a path relative to its own index.js.
# The banner gives the CommonJS parts (tfjs's node builds, emscripten's wasm loader) require and __dirname.
# shellcheck disable=SC2034
ESBUILD_NODE_BUNDLE=(
  --bundle --platform=node --target=node20 --format=esm --log-level=warning
  --external:webgpu --external:node-fetch
  "--banner:js=import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);"
)
