import { createApp } from "./api/app.js";
import { parseConfig } from "./shared/config.js";
const config = parseConfig({ DATABASE_URL: "postgres://x@127.0.0.1/x", REDIS_URL: "redis://127.0.0.1", ENCRYPTION_KEY: Buffer.alloc(32).toString("base64") });
const app = createApp({ config } as never);
const res = await app.request("/openapi.json");
console.log(res.status, (await res.text()).slice(0, 200));
