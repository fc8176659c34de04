/**
 * Spawning a tenant: the form (template from GET /api/v1/templates, optional webhook URL and
 * quotas), then the tenant followed live through pending → provisioning → starting → ready, and
 * its API key shown once when it is ready (or the failure and its error).
 */
import { useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { Link } from "wouter";
import { api, call, errorMessage, type SpawnedTenant, type Template, type TenantStatus } from "../api.js";
import { ErrorMessage, RevealOnce, StatusBadge, usePageTitle } from "../components.js";
import { useTenantEvents } from "../live.js";

const steps: TenantStatus[] = ["pending", "provisioning", "starting", "ready"];

export function Spawn() {
  const heading = usePageTitle("Spawn a tenant");
  const [templates, setTemplates] = useState<Template[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [spawned, setSpawned] = useState<SpawnedTenant | null>(null);
  // One key per submission attempt: a retry after a lost answer makes no second tenant.
  const idempotencyKey = useRef(crypto.randomUUID());
  const [form, setForm] = useState({ name: "", template: "", webhookUrl: "", callsPerMinute: "", callsPerMonth: "" });

  useEffect(() => {
    call(api.GET("/api/v1/templates"))
      .then(({ templates }) => {
        setTemplates(templates);
        setForm((f) => ({ ...f, template: f.template || (templates[0]?.id ?? "") }));
      })
      .catch((err: unknown) => setError(errorMessage(err)));
  }, []);

  const chosen = useMemo(() => templates?.find((t) => t.id === form.template), [templates, form.template]);
  const set = (field: keyof typeof form) => (e: { target: { value: string } }) => {
    setForm((f) => ({ ...f, [field]: e.target.value }));
    idempotencyKey.current = crypto.randomUUID(); // a different request now
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!chosen) return;
    setBusy(true);
    setError(null);
    const quota = {
      ...(form.callsPerMinute ? { callsPerMinute: Number(form.callsPerMinute) } : {}),
      ...(form.callsPerMonth ? { callsPerMonth: Number(form.callsPerMonth) } : {}),
    };
    try {
      const { tenant } = await call(
        api.POST("/api/v1/tenant/spawn", {
          params: { header: { "idempotency-key": idempotencyKey.current } },
          body: {
            name: form.name.trim(),
            language: chosen.language,
            framework: chosen.framework,
            ...(form.webhookUrl.trim() ? { webhookUrl: form.webhookUrl.trim() } : {}),
            ...(Object.keys(quota).length ? { quota } : {}),
          },
        }),
      );
      setSpawned(tenant);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  if (spawned) return <Progress tenant={spawned} onForgetKey={() => setSpawned({ ...spawned, apiKey: "" })} />;

  return (
    <main className="container narrow">
      <h1 ref={heading} tabIndex={-1}>
        Spawn a tenant
      </h1>
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor="name">Name</label>
        <input id="name" required maxLength={63} pattern="[a-z0-9]([a-z0-9\-]*[a-z0-9])?" placeholder="my-app" value={form.name} onChange={set("name")} aria-describedby="name-help" />
        <small id="name-help">Lowercase letters, digits and dashes; it becomes part of the tenant's hostname.</small>

        <label htmlFor="template">Template</label>
        <select id="template" required value={form.template} onChange={set("template")} aria-describedby="template-help" aria-busy={templates === null}>
          {templates === null ? <option value="">Loading templates…</option> : null}
          {templates?.length === 0 ? <option value="">No templates are installed</option> : null}
          {templates?.map((t) => (
            <option key={t.id} value={t.id}>
              {t.language} / {t.framework}
            </option>
          ))}
        </select>
        <small id="template-help">{chosen?.description ?? "The starter app the tenant runs."}</small>

        <details>
          <summary>Webhook and quotas (optional)</summary>
          <label htmlFor="webhookUrl">Webhook URL</label>
          <input id="webhookUrl" type="url" placeholder="https://hooks.example.com/convergence" value={form.webhookUrl} onChange={set("webhookUrl")} aria-describedby="webhook-help" />
          <small id="webhook-help">Receives tenant.ready, tenant.failed, tenant.unhealthy, tenant.recovered and tenant.destroyed, signed (Standard Webhooks).</small>
          <div className="grid">
            <div>
              <label htmlFor="callsPerMinute">Convergence calls per minute</label>
              <input id="callsPerMinute" type="number" min={1} max={1_000_000} inputMode="numeric" placeholder="unlimited" value={form.callsPerMinute} onChange={set("callsPerMinute")} />
            </div>
            <div>
              <label htmlFor="callsPerMonth">Convergence calls per month</label>
              <input id="callsPerMonth" type="number" min={1} max={1_000_000_000} inputMode="numeric" placeholder="unlimited" value={form.callsPerMonth} onChange={set("callsPerMonth")} />
            </div>
          </div>
        </details>
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy || !chosen} aria-busy={busy}>
          Spawn
        </button>
      </form>
    </main>
  );
}

/** The spawned tenant followed live until it is ready (then its key, once) or failed (then why). */
function Progress({ tenant, onForgetKey }: { tenant: SpawnedTenant; onForgetKey: () => void }) {
  const heading = usePageTitle(`Spawning ${tenant.name}`);
  const [status, setStatus] = useState<TenantStatus>(tenant.status);
  const [failure, setFailure] = useState<string | null>(null);
  const { events } = useTenantEvents(tenant.envId, (e) => {
    setStatus(e.to);
    if (e.to === "failed") {
      call(api.GET("/api/v1/tenant/{id}/status", { params: { path: { id: tenant.envId } } }))
        .then(({ tenant: t }) => setFailure(t.error ?? e.reason))
        .catch(() => setFailure(e.reason));
    }
  });
  const reached = new Set(events.map((e) => e.to));
  const current = steps.indexOf(status);

  return (
    <main className="container narrow">
      <h1 ref={heading} tabIndex={-1}>
        {tenant.name}
      </h1>
      <p>
        <StatusBadge status={status} />{" "}
        <span className="muted">
          {tenant.tenantId}, port {tenant.port ?? "—"}
        </span>
      </p>
      <ol className="steps" aria-label="Progress">
        {steps.map((s, i) => {
          const state = status === "failed" ? (reached.has(s) ? "done" : "todo") : i < current || status === "ready" ? "done" : i === current ? "current" : "todo";
          return (
            <li key={s} className={`step step-${state}`} aria-current={state === "current" ? "step" : undefined}>
              {s}
            </li>
          );
        })}
      </ol>
      <p role="status" aria-live="polite">
        {status === "ready" ? `${tenant.name} is ready.` : status === "failed" ? `${tenant.name} failed.` : `Waiting for ${tenant.name}: ${status}…`}
      </p>
      {status === "failed" ? <ErrorMessage error={failure ?? "The tenant failed."} /> : null}
      {status === "ready" && tenant.apiKey ? (
        <RevealOnce label={`API key of ${tenant.name}`} secret={tenant.apiKey} onDone={onForgetKey} />
      ) : status !== "ready" && status !== "failed" ? (
        <p className="muted">Its API key is shown here once it is ready: stay on this page.</p>
      ) : null}
      <p>
        <Link href={`/tenants/${tenant.envId}`}>Open the tenant's page</Link> · <Link href="/">Back to tenants</Link>
      </p>
    </main>
  );
}
