// The constants this composition shares with Framecast's Python functions, the render worker and
// the page: one JSON file read by all of them (tests/integration/test_contract.py checks it).
import contract from '../../functions/contract.json';

export const COMPOSITION_ID: string = contract.compositionId;
export const FPS: number = contract.fps;
export const REPORT_PREFIX: string = contract.reportPrefix;
export const ENDED_STATUSES: readonly string[] = contract.endedStatuses;

// The quality presets (design section 4) and the output-size rule's multiple: the page shows what
// an export will make with these (web/src/lib/presets.ts); Python renders with the same.
export type Preset = {
	shortSide: number;
	crf: {h264: number; vp8: number};
	jpegQuality: number;
	gif: {shortSide: number; fps: number};
};
export const PRESETS: Readonly<Record<'low' | 'medium' | 'high', Preset>> = contract.presets;
export const OUTPUT_SIZE_MULTIPLE: number = contract.outputSize.multiple;
