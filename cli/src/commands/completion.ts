/**
 * `convergence completion bash|zsh|fish`: a completion script for the shell, made from the
 * command tree itself (commands, their subcommands and options), so it never falls behind.
 *   bash: convergence completion bash > ~/.local/share/bash-completion/completions/convergence
 *   zsh:  convergence completion zsh > "${fpath[1]}/_convergence"
 *   fish: convergence completion fish > ~/.config/fish/completions/convergence.fish
 */
import { type Command, InvalidArgumentError } from "commander";
import { action } from "../cli.js";

const shells = ["bash", "zsh", "fish"] as const;
type Shell = (typeof shells)[number];

function shell(value: string): Shell {
  if (!(shells as readonly string[]).includes(value)) throw new InvalidArgumentError(`one of ${shells.join(", ")}`);
  return value as Shell;
}

interface Node {
  path: string[];
  subcommands: { name: string; description: string }[];
  options: { flags: string[]; description: string; takesValue: boolean }[];
}

/** Every command with its subcommands and options, depth first. */
function walk(command: Command, path: string[] = []): Node[] {
  const visible = command.commands.filter((c) => c.name() !== "help");
  const options = command.options.map((o) => ({ flags: [o.long, o.short].filter((f): f is string => Boolean(f)), description: o.description, takesValue: o.required || o.optional }));
  return [{ path, subcommands: visible.map((c) => ({ name: c.name(), description: c.description() })), options }, ...visible.flatMap((c) => walk(c, [...path, c.name()]))];
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Options followed by a value (`--context prod`): that value is not a command word. */
const valueOptions = (nodes: Node[]) => [...new Set(nodes.flatMap((n) => n.options.filter((o) => o.takesValue).flatMap((o) => o.flags)))].join("|");

/** What a node completes to: its subcommands, its options, and the global options (once, at the top). */
const wordsOf = (n: Node, globals: string[]) => [...n.subcommands.map((s) => s.name), ...new Set([...n.options.flatMap((o) => o.flags), ...globals])];

function bash(nodes: Node[], globals: string[]): string {
  const cases = nodes.map((n) => `    ${quote(n.path.join(" "))}) words=${quote(wordsOf(n, globals).join(" "))} ;;`).join("\n");
  return `# bash completion for convergence (convergence completion bash)
_convergence() {
  local cur path="" w words skip=""
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for w in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    if [[ -n $skip ]]; then skip=""; continue; fi
    case "$w" in ${valueOptions(nodes)}) skip=1 ;; -*) ;; *) path="\${path:+$path }$w" ;; esac
  done
  case "$path" in
${cases}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _convergence convergence
`;
}

function zsh(nodes: Node[], globals: string[]): string {
  const cases = nodes
    .map((n) => {
      const items = [
        ...n.subcommands.map((s) => `${s.name}:${s.description.replace(/:/g, "\\:")}`),
        ...wordsOf(n, globals)
          .slice(n.subcommands.length)
          .map((f) => `${f}:`),
      ];
      return `    ${quote(n.path.join(" "))}) items=(${items.map(quote).join(" ")}) ;;`;
    })
    .join("\n");
  return `#compdef convergence
# zsh completion for convergence (convergence completion zsh)
_convergence() {
  local path="" w skip=""
  local -a items
  for w in \${words[2,CURRENT-1]}; do
    if [[ -n $skip ]]; then skip=""; continue; fi
    case "$w" in ${valueOptions(nodes)}) skip=1 ;; -*) ;; *) path="\${path:+$path }$w" ;; esac
  done
  case "$path" in
${cases}
    *) items=() ;;
  esac
  _describe 'convergence' items
}
compdef _convergence convergence
`;
}

function fish(nodes: Node[]): string {
  const lines = ["# fish completion for convergence (convergence completion fish)", "complete -c convergence -f"];
  for (const n of nodes) {
    const condition = n.path.length === 0 ? "__fish_use_subcommand" : `__fish_seen_subcommand_from ${n.path[n.path.length - 1]}`;
    for (const s of n.subcommands) lines.push(`complete -c convergence -n ${quote(condition)} -a ${quote(s.name)} -d ${quote(s.description)}`);
    for (const o of n.options) {
      const long = o.flags.find((f) => f.startsWith("--"))?.slice(2);
      const short = o.flags.find((f) => /^-\w$/.test(f))?.slice(1);
      if (!long) continue;
      lines.push(`complete -c convergence -n ${quote(n.path.length === 0 ? "true" : condition)} -l ${long}${short ? ` -s ${short}` : ""} -d ${quote(o.description)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

export function registerCompletion(program: Command) {
  program
    .command("completion")
    .description("print a shell completion script: bash, zsh or fish")
    .argument("<shell>", shells.join(" | "), shell)
    .addHelpText("after", "\nInstall: convergence completion bash > ~/.local/share/bash-completion/completions/convergence")
    .action(
      action(async (cli, which: Shell) => {
        const nodes = walk(program);
        const globals = program.options.map((o) => o.long).filter((f): f is string => Boolean(f) && f !== "--version");
        const script = which === "bash" ? bash(nodes, globals) : which === "zsh" ? zsh(nodes, globals) : fish(nodes);
        if (cli.json) cli.result({ shell: which, script }, () => script);
        else process.stdout.write(script);
      }),
    );
}
