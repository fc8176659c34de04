/**
 * The webhook signing secret (Standard Webhooks, `whsec_…`): hidden until asked for, then shown
 * once with a copy button and hidden again; rotating it (after a confirmation) shows the new one
 * the same way. The API keeps it encrypted and readable, so "Reveal" can be pressed again later.
 */
import { useState } from "react";
import { api, call, errorMessage } from "../api.js";
import { Dialog, ErrorMessage, RevealOnce, usePageTitle } from "../components.js";

export function Webhooks() {
  const heading = usePageTitle("Webhooks");
  const [secret, setSecret] = useState<{ secret: string; rotated: boolean } | null>(null);
  const [prefix, setPrefix] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const reveal = async () => {
    setBusy(true);
    setError(null);
    try {
      const body = await call(api.GET("/api/v1/webhooks/secret"));
      setSecret({ secret: body.secret, rotated: false });
      setPrefix(body.prefix);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const rotate = async () => {
    setBusy(true);
    setError(null);
    try {
      const body = await call(api.POST("/api/v1/webhooks/secret/rotate"));
      setConfirming(false);
      setSecret({ secret: body.secret, rotated: true });
      setPrefix(body.prefix);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="container narrow">
      <h1 ref={heading} tabIndex={-1}>
        Webhooks
      </h1>
      <p>
        Each tenant spawned with a <code>webhookUrl</code> gets its state changes there (<code>tenant.ready</code>, <code>tenant.failed</code>, …), signed per Standard Webhooks with your
        organisation's secret. Verify them with <code>verifyWebhook</code> from <code>@convergence/sdk</code> or any Standard Webhooks library. Each tenant's page lists what was delivered.
      </p>
      <h2>Signing secret</h2>
      {prefix ? (
        <p className="muted">
          Current secret: <code>{prefix}…</code>
        </p>
      ) : null}
      {confirming ? null : <ErrorMessage error={error} />}
      {secret ? (
        <RevealOnce
          label={secret.rotated ? "New webhook signing secret" : "Webhook signing secret"}
          secret={secret.secret}
          onDone={() => setSecret(null)}
          note={
            <>
              <strong>Store it with your webhook receiver.</strong>
              {secret.rotated ? " Deliveries from now on, retries included, are signed with it; the old secret no longer verifies them." : " It stays hidden here until you reveal it again."}
            </>
          }
        />
      ) : (
        <div className="actions">
          <button type="button" onClick={() => void reveal()} disabled={busy} aria-busy={busy && !confirming}>
            Reveal the secret
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(true)}>
            Rotate the secret
          </button>
        </div>
      )}
      <Dialog
        open={confirming}
        title="Rotate the webhook signing secret?"
        onClose={() => {
          setConfirming(false);
          setError(null);
        }}
      >
        <p>A new secret signs every delivery from now on, retries of earlier events included. Receivers that still check the old one will refuse them until they have the new one.</p>
        <ErrorMessage error={error} />
        <footer>
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>
            Cancel
          </button>
          <button type="button" onClick={() => void rotate()} disabled={busy} aria-busy={busy}>
            Rotate the secret
          </button>
        </footer>
      </Dialog>
    </main>
  );
}
