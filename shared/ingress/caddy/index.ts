/** The Caddy ingress (./ingress.ts), driven through its admin API (./admin-client.ts). */
export { API_PUBLIC_PATHS, CaddyIngress, INGRESS_MARKER_HEADER, qualifiesForPublicCertificate, type CaddyIngressOptions } from "./ingress.js";
