// The toolchains one can open: the built-ins (built from the sample data) and "Custom (JSON)".
import type { BuiltinToolchainInfo } from '../../api';

export const CUSTOM = 'custom';

export function ToolchainChooser({
  builtins,
  selected,
  onChoose,
}: {
  builtins: readonly BuiltinToolchainInfo[];
  selected: string;
  onChoose: (id: string) => void;
}) {
  const option = (id: string, label: string, testId: string) => (
    <li key={id}>
      <button
        type="button"
        role="option"
        aria-selected={selected === id}
        className={selected === id ? 'selected' : ''}
        onClick={() => onChoose(id)}
        data-testid={testId}
      >
        {label}
      </button>
    </li>
  );
  return (
    <ul className="tc-choices" role="listbox" aria-label="Toolchain">
      {builtins.map((b) => option(b.id, b.name, `tc-choose-${b.id}`))}
      {option(CUSTOM, 'Custom (JSON)', 'tc-choose-custom')}
    </ul>
  );
}
