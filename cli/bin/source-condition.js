// Module resolution hook: resolve workspace packages to their TypeScript source (see convergence.js).
export async function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier, { ...context, conditions: [...context.conditions, "convergence-source"] });
}
