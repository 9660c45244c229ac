// The API, typed from docs/openapi.json (openapi-typescript generates schema.d.ts; no hand copy).
import createClient, {type Middleware} from 'openapi-fetch';
import type {components, paths} from './schema';

export type Schemas = components['schemas'];
export type Render = Schemas['RenderResponse'];
export type Project = Schemas['ProjectResponse'];
export type ProjectSummary = Schemas['ProjectSummary'];
export type Preview = Schemas['Preview'];
export type Stats = Schemas['StatsResponse'];
export type OutputFormat = Render['format'];
export type Quality = Render['quality'];

export type ErrorDetail = Record<string, unknown>;
export type SceneDiagnostic = Schemas['SceneDiagnostic'];

export class ApiError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly details: ErrorDetail[] = [],
		readonly retryAfterSeconds: number | null = null,
	) {
		super(message);
		this.retryAt = retryAfterSeconds == null ? null : new Date(this.receivedAt.getTime() + retryAfterSeconds * 1000);
	}

	readonly receivedAt = new Date();

	// When Retry-After points to, fixed when the answer came (not each time it is shown).
	readonly retryAt: Date | null;
}

export type Api = ReturnType<typeof createApi>;

export const createApi = (baseUrl: string, token: () => Promise<string>) => {
	const client = createClient<paths>({baseUrl: baseUrl || window.location.origin});
	const auth: Middleware = {
		async onRequest({request}) {
			request.headers.set('Authorization', `Bearer ${await token()}`);
			return request;
		},
	};
	client.use(auth);
	return client;
};

// openapi-fetch answers {data} or {error, response}: this turns the second into an ApiError.
export const unwrap = async <T>(call: Promise<{data?: T; error?: unknown; response: Response}>): Promise<T> => {
	const {data, error, response} = await call;
	if (response.ok) return data as T;
	const body = (error ?? {}) as {error?: {code?: string; message?: string; details?: ErrorDetail[]}};
	const retryAfter = response.headers.get('Retry-After');
	throw new ApiError(
		response.status,
		body.error?.code ?? `http_${response.status}`,
		body.error?.message ?? response.statusText,
		body.error?.details ?? [],
		retryAfter ? Number(retryAfter) : null,
	);
};
