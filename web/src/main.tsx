import React from 'react';
import {createRoot} from 'react-dom/client';
import {QueryClient, QueryClientProvider} from '@tanstack/react-query';
import {App} from './App';
import {createApi} from './api/client';
import {ApiProvider} from './api/context';
import {loadConfig, tokenProvider} from './config';
import './styles.css';

const root = createRoot(document.getElementById('root')!);

loadConfig()
	.then((config) => {
		const api = createApi(config.apiUrl, tokenProvider(config));
		const queries = new QueryClient({defaultOptions: {queries: {refetchOnWindowFocus: false}}});
		root.render(
			<React.StrictMode>
				<QueryClientProvider client={queries}>
					<ApiProvider api={api}>
						<App />
					</ApiProvider>
				</QueryClientProvider>
			</React.StrictMode>,
		);
	})
	.catch((error) => root.render(<p role="alert">Framecast could not start: {String(error)}</p>));
