// What the CDK code needs to know of Remotion Lambda, read from the pinned npm packages at synth
// (never copied by hand): python stacks/remotion_facts.py runs this with node.
//   node stacks/remotion_facts.cjs REGION MEMORY_MB DISK_MB TIMEOUT_S RUNTIME_PREFERENCE
// Sources (remotion-dev/remotion, the code behind the pinned dist/ files):
//   packages/lambda/src/shared/get-layers.ts            which hosted layers go together
//   packages/lambda/src/shared/hosted-layers.ts         the layer ARNs per region
//   packages/lambda-client/src/speculate-function-name.ts  remotion-render-<v>-mem<M>mb-disk<D>mb-<T>sec
//   packages/lambda/src/api/iam-validation/role-permissions.ts  the render role Remotion documents
//   packages/lambda/src/api/create-function.ts          runtime, its locked version, tags
const fs = require('node:fs');
const path = require('node:path');
const {LambdaClientInternals, speculateFunctionName} = require('@remotion/lambda-client');
const constants = require('@remotion/lambda-client/constants');

const lambdaDir = path.dirname(require.resolve('@remotion/lambda/package.json'));
// getLayers() is what Remotion's own deployFunction() calls (dist/api/create-function.js): it never
// combines emoji-apple with emoji-google and cjk, which together pass Lambda's 250 MB.
const {getLayers, validateRuntimePreference} = require(path.join(lambdaDir, 'dist/shared/get-layers.js'));
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

const [region, memory, disk, timeout, runtimePreference] = process.argv.slice(2);
if (!hostedLayers[region]) {
	console.error(`Remotion hosts no layers in ${region}; regions: ${Object.keys(hostedLayers).join(', ')}`);
	process.exit(2);
}
// Remotion's own checks of what deployFunction() accepts.
const {LambdaClientInternals: internals} = require('@remotion/lambda-client');
const {validateTimeout} = require(path.join(lambdaDir, 'dist/shared/validate-timeout.js'));
try {
	validateRuntimePreference(runtimePreference);
	internals.validateMemorySize(Number(memory));
	internals.validateDiskSizeInMb(Number(disk));
	validateTimeout(Number(timeout));
} catch (error) {
	console.error(error.message);
	process.exit(2);
}
const layers = getLayers({option: runtimePreference, region});
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
		allHostedLayers: hostedLayers[region].map(({layerArn, version}) => `${layerArn}:${version}`),
		runtimePreferences: internals.runtimePreferenceOptions,
		lifecycleRules: LambdaClientInternals.getLifeCycleRules(),
		rolePermissions: getRolePermissions('aws'),
		bucketPrefix: constants.REMOTION_BUCKET_PREFIX,
		renderFunctionPrefix: constants.RENDER_FN_PREFIX,
		logGroupPrefix: constants.LOG_GROUP_PREFIX,
		// Remotion's sites/ folder; the site's own name (a content hash) is added in stacks/site.py.
		sitesKey: constants.getSitesKey('').replace(/\/$/, ''),
	}),
);
