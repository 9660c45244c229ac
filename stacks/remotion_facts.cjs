// What the CDK code needs to know of Remotion Lambda, read from the pinned npm packages at synth
// (never copied by hand): python stacks/remotion_facts.py runs this with node.
//   node stacks/remotion_facts.cjs REGION MEMORY_MB DISK_MB TIMEOUT_S
const fs = require('node:fs');
const path = require('node:path');
const {LambdaClientInternals, speculateFunctionName} = require('@remotion/lambda-client');
const constants = require('@remotion/lambda-client/constants');

const lambdaDir = path.dirname(require.resolve('@remotion/lambda/package.json'));
const {hostedLayers} = require(path.join(lambdaDir, 'dist/shared/hosted-layers.js'));
const {getRolePermissions} = require(path.join(lambdaDir, 'dist/api/iam-validation/role-permissions.js'));

// How Remotion's own deployFunction() creates the function: its runtime and the runtime version it
// locks to. They are not exported, so they are read from the pinned source.
const createFunction = fs.readFileSync(path.join(lambdaDir, 'dist/api/create-function.js'), 'utf8');
const runtime = /Runtime: '(nodejs\d+\.x)'/.exec(createFunction)?.[1];
const runtimeVersion = /::runtime:([0-9a-f]{64})/.exec(createFunction)?.[1];
if (!runtime || !runtimeVersion) {
	console.error('could not read the runtime of the render function from @remotion/lambda');
	process.exit(2);
}

const [region, memory, disk, timeout] = process.argv.slice(2);
const layers = hostedLayers[region];
if (!layers) {
	console.error(`Remotion hosts no layers in ${region}; regions: ${Object.keys(hostedLayers).join(', ')}`);
	process.exit(2);
}
console.log(
	JSON.stringify({
		version: require('@remotion/lambda/package.json').version,
		functionName: speculateFunctionName({
			memorySizeInMb: Number(memory),
			diskSizeInMb: Number(disk),
			timeoutInSeconds: Number(timeout),
		}),
		zip: path.join(lambdaDir, 'remotionlambda-arm64.zip'),
		runtime,
		runtimeVersionArn: `arn:aws:lambda:${region}::runtime:${runtimeVersion}`,
		layers: layers.map(({layerArn, version}) => `${layerArn}:${version}`),
		lifecycleRules: LambdaClientInternals.getLifeCycleRules(),
		rolePermissions: getRolePermissions('aws'),
		bucketPrefix: constants.REMOTION_BUCKET_PREFIX,
		renderFunctionPrefix: constants.RENDER_FN_PREFIX,
		logGroupPrefix: constants.LOG_GROUP_PREFIX,
		sitesKey: constants.getSitesKey('framecast'),
	}),
);
