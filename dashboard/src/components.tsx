/** Small building blocks shared by the pages. */
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import type { TenantStatus } from "./api.js";

export function StatusBadge({ status }: { status: TenantStatus }) {
  return <span className={`status status-${status}`}>{status}</span>;
}

/**
 * A table's box, which scrolls sideways when the table is wider than the screen: focusable and
 * named, so a keyboard can scroll it too (axe: scrollable-region-focusable).
 */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}

/** An error from the API (its envelope's message), announced to screen readers. */
export function ErrorMessage({ error }: { error: string | null | undefined }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error}
    </p>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p>
        <strong>{title}</strong>
      </p>
      {children}
    </div>
  );
}

/**
 * A secret shown once (a tenant's API key, a token): a copy button, and the warning that it will
 * not be shown again (or `note`, for a secret that can be read again). `onDone` forgets it.
 */
export function RevealOnce({ label, secret, onDone, note }: { label: string; secret: string; onDone: () => void; note?: ReactNode }) {
  const [copied, setCopied] = useState<"no" | "yes" | "failed">("no");
  const field = useRef<HTMLInputElement>(null);
  const titleId = useId();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("yes");
    } catch {
      field.current?.select();
      setCopied("failed");
    }
  };
  return (
    <article className="secret" aria-labelledby={titleId}>
      <h3 id={titleId}>{label}</h3>
      <p>
        {note ?? (
          <>
            <strong>Copy it now: you will not see this again.</strong> Only a hash of it is stored; if it is lost, rotate the key.
          </>
        )}
      </p>
      <div role="group">
        <input ref={field} readOnly value={secret} aria-label={label} data-testid="secret" onFocus={(e) => e.currentTarget.select()} />
        <button type="button" onClick={() => void copy()}>
          {copied === "yes" ? "Copied" : "Copy"}
        </button>
      </div>
      <p aria-live="polite" className="muted">
        {copied === "yes" ? "Copied to the clipboard." : copied === "failed" ? "The clipboard is not available: it is selected, press Ctrl+C." : ""}
      </p>
      <button type="button" className="secondary" onClick={onDone}>
        I have stored it
      </button>
    </article>
  );
}

/** A modal dialog (the native <dialog>: focus is trapped inside, Escape closes it). */
export function Dialog({ open, title, onClose, children }: { open: boolean; title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} onClose={onClose} aria-labelledby={titleId}>
      <article>
        <header>
          <h3 id={titleId}>{title}</h3>
        </header>
        {open ? children : null}
      </article>
    </dialog>
  );
}

/** Sets the document title and moves focus to the page's heading, so a screen reader announces the new page. */
export function usePageTitle(title: string) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Convergence`;
    heading.current?.focus();
  }, [title]);
  return heading;
}
