// One invocation of the render function, as the Lambda Node.js runtime would make it.
//   node runtime.cjs FUNCTION_DIR        (the event as JSON on stdin)
// The response stream goes to the file descriptor FRAMECAST_RESPONSE_FD; one JSON line saying how
// the invocation ended ({ok} or {errorType, errorMessage, stackTrace}) goes to FRAMECAST_RESULT_FD.
// stdout and stderr are the function's log, as CloudWatch would get it.
// local/lambda_emulator/invoker.py starts this inside a private mount and pid namespace.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const functionDir = process.argv[2];
const deadline = Number(process.env.FRAMECAST_LAMBDA_DEADLINE_MS);
const responseFd = Number(process.env.FRAMECAST_RESPONSE_FD);
const resultFd = Number(process.env.FRAMECAST_RESULT_FD);
const requestId = process.env.FRAMECAST_REQUEST_ID;
const invokedFunctionArn = process.env.FRAMECAST_INVOKED_FUNCTION_ARN;
for (const name of Object.keys(process.env).filter((key) => key.startsWith('FRAMECAST_'))) {
	delete process.env[name]; // the function sees only what Lambda would give it
}

let reported = false;
const report = (outcome) => {
	if (reported) return;
	reported = true;
	fs.writeSync(resultFd, `${JSON.stringify(outcome)}\n`);
};
const fail = (error, errorType) => {
	report({
		errorType: errorType ?? error?.name ?? 'Error',
		errorMessage: String(error?.message ?? error),
		stackTrace: String(error?.stack ?? '').split('\n'),
	});
	process.exit(1);
};
// What the Lambda runtime does with errors that escape the handler: the invocation fails.
process.on('uncaughtException', (error) => fail(error, 'Runtime.UncaughtException'));
process.on('unhandledRejection', (error) => fail(error, 'Runtime.UnhandledPromiseRejection'));

// The runtime's global for response streaming; the handler is wrapped with it at load.
globalThis.awslambda = {streamifyResponse: (handler) => handler};

const readStdin = () => {
	const chunks = [];
	let chunk;
	const buffer = Buffer.alloc(1 << 16);
	for (;;) {
		try {
			chunk = fs.readSync(0, buffer, 0, buffer.length, null);
		} catch (error) {
			if (error.code === 'EAGAIN') continue;
			throw error;
		}
		if (chunk === 0) break;
		chunks.push(Buffer.from(buffer.subarray(0, chunk)));
	}
	return Buffer.concat(chunks).toString('utf8');
};

const main = async () => {
	const event = JSON.parse(readStdin() || 'null');
	const {handler} = require(path.join(functionDir, 'index.js'));
	const name = process.env.AWS_LAMBDA_FUNCTION_NAME;
	const context = {
		awsRequestId: requestId,
		invokedFunctionArn,
		functionName: name,
		functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
		memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
		logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
		logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
		callbackWaitsForEmptyEventLoop: true,
		getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
	};
	const responseStream = fs.createWriteStream(null, {fd: responseFd});
	const streamClosed = new Promise((resolve) => responseStream.on('close', resolve));
	await handler(event, responseStream, context);
	if (!responseStream.writableEnded) responseStream.end();
	await streamClosed;
	report({ok: true});
	// Lambda freezes the sandbox once the handler is done; timers the function left running
	// (such as its own timeout webhook) must not fire after the invocation ended.
	process.exit(0);
};

main().catch((error) => fail(error));
