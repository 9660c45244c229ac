// The constants this composition shares with Framecast's Python functions, the render worker and
// the page: one JSON file read by all of them (tests/integration/test_contract.py checks it).
import contract from '../../functions/contract.json';

export const COMPOSITION_ID: string = contract.compositionId;
export const FPS: number = contract.fps;
export const REPORT_PREFIX: string = contract.reportPrefix;
export const ENDED_STATUSES: readonly string[] = contract.endedStatuses;
