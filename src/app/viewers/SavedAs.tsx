// "Saved as <name> (Segmentation, in Datasets)." with a link that opens the new dataset: shown after
// the click-to-segment and Annotate modes save a mask.
import { useSelection } from '../state/selection';

export function SavedAs({ saved, testId, openTestId }: { saved: { id: string; name: string }; testId: string; openTestId: string }) {
  const { setView } = useSelection();
  return (
    <p className="small-text ok-text" data-testid={testId} data-id={saved.id}>
      Saved as{' '}
      <button
        type="button"
        className="link"
        onClick={() => setView({ kind: 'dataset', id: saved.id })}
        data-testid={openTestId}
        title="Open the new Segmentation dataset"
      >
        {saved.name}
      </button>{' '}
      (Segmentation, in Datasets).
    </p>
  );
}
