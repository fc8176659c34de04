/** Builds every template's image ahead of time (`npm run images`), so the first spawn is fast. */
import { loadConfig } from "../shared/config.js";
import { DockerRuntime } from "../shared/runtime/docker/index.js";
import { baseImageOf, TemplateRegistry } from "../shared/templates.js";

const config = loadConfig();
const runtime = new DockerRuntime({ socketPath: config.DOCKER_SOCKET, owner: config.CONVERGENCE_INSTANCE });
for (const template of new TemplateRegistry(config.TEMPLATES_DIR).list()) {
  const started = Date.now();
  const tag = await runtime.ensureImage(template, baseImageOf(config, template));
  console.log(`[images] ${template.id}: ${tag} (${Date.now() - started} ms)`);
}
