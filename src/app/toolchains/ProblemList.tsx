// A list of problems (a rejected check or run), one per line, announced as an alert.

export function ProblemList({ problems, testId }: { problems: readonly string[]; testId: string }) {
  return (
    <div role="alert" className="error-text tc-problems" data-testid={testId}>
      {problems.map((p) => (
        <div key={p}>{p}</div>
      ))}
    </div>
  );
}
