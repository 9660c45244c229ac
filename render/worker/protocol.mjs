// The pool⇄worker protocol, as render/protocol.py declares it: JSON lines, commands on stdin,
// events on stdout. The shapes are written in a small notation ('string', 'integer', 'number',
// 'boolean', 'object', 'T[]', 'T[n]', 'T|null', or an object of field shapes);
// tests/integration/test_protocol.py checks they are exactly Python's.
// Run alone (`node protocol.mjs`) it prints them; `node protocol.mjs --check` reads messages on
// stdin, one a line, and answers each with the problems found (an empty list when it holds).
import readline from 'node:readline';
import {fileURLToPath} from 'node:url';

const COMPOSITION = {width: 'integer', height: 'integer', fps: 'integer', durationInFrames: 'integer'};

export const COMMANDS = {
	chunk: {
		id: 'string', inputProps: 'object', composition: COMPOSITION, codec: 'string', crf: 'integer|null',
		jpegQuality: 'integer', everyNthFrame: 'integer', frameRange: 'integer[2]', lastChunk: 'boolean',
		videoPath: 'string', audioPath: 'string|null',
	},
	combine: {
		id: 'string', codec: 'string', fps: 'integer', everyNthFrame: 'integer', durationInFrames: 'integer',
		videoFiles: 'string[]', audioFiles: 'string[]', outputPath: 'string',
	},
	still: {
		id: 'string', inputProps: 'object', composition: COMPOSITION, frame: 'integer', scale: 'number',
		jpegQuality: 'integer', outputPath: 'string',
	},
	cancel: {id: 'string'},
};

export const EVENTS = {
	ready: {bundle: 'string', bundleHash: 'string', bundleCached: 'boolean', browserVersion: 'string'},
	progress: {id: 'string', rendered: 'integer', encoded: 'integer'},
	'chunk-done': {id: 'string', videoPath: 'string', audioPath: 'string|null', warnings: 'string[]'},
	combined: {id: 'string', outputPath: 'string', sizeBytes: 'integer'},
	'still-done': {id: 'string', outputPath: 'string'},
	error: {id: 'string|null', message: 'string', cancelled: 'boolean', infra: 'boolean', warnings: 'string[]'},
	fatal: {message: 'string'},
};

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

const SCALARS = {
	string: (value) => typeof value === 'string',
	integer: (value) => Number.isInteger(value),
	number: (value) => typeof value === 'number' && Number.isFinite(value),
	boolean: (value) => typeof value === 'boolean',
	object: isObject,
};

// The problems of `value` against `shape`, each naming where: none when it holds.
const problems = (shape, value, where) => {
	if (isObject(shape)) {
		if (!isObject(value)) return [`${where}: not an object`];
		const extra = Object.keys(value).filter((key) => !Object.hasOwn(shape, key));
		return [
			...extra.map((key) => `${where}.${key}: not in the protocol`),
			...Object.entries(shape).flatMap(([key, field]) =>
				Object.hasOwn(value, key) ? problems(field, value[key], `${where}.${key}`) : [`${where}.${key}: missing`]),
		];
	}
	if (shape.endsWith('|null')) return value === null ? [] : problems(shape.slice(0, -5), value, where);
	const array = /^(.+)\[(\d*)\]$/.exec(shape);
	if (array) {
		const [, item, length] = array;
		if (!Array.isArray(value)) return [`${where}: not an array`];
		if (length !== '' && value.length !== Number(length)) return [`${where}: not ${length} long`];
		return value.flatMap((element, index) => problems(item, element, `${where}[${index}]`));
	}
	return SCALARS[shape](value) ? [] : [`${where}: not ${shape === 'integer' ? 'an' : 'a'} ${shape}`];
};

// The problems of a message against the shapes of its `type` in `kinds` (COMMANDS or EVENTS).
export const messageProblems = (kinds, message) => {
	if (!isObject(message)) return ['not an object'];
	const {type, ...fields} = message;
	if (typeof type !== 'string' || !Object.hasOwn(kinds, type)) return [`unknown type ${JSON.stringify(type)}`];
	return problems(kinds[type], fields, type);
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	if (process.argv.includes('--check')) {
		for await (const line of readline.createInterface({input: process.stdin})) {
			const {kind, message} = JSON.parse(line);
			process.stdout.write(`${JSON.stringify(messageProblems(kind === 'command' ? COMMANDS : EVENTS, message))}\n`);
		}
	} else {
		process.stdout.write(`${JSON.stringify({commands: COMMANDS, events: EVENTS})}\n`);
	}
}
