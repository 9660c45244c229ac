import React, {createContext, useContext} from 'react';
import type {Api} from './client';

const ApiContext = createContext<Api | null>(null);

export const ApiProvider: React.FC<{api: Api; children: React.ReactNode}> = ({api, children}) => (
	<ApiContext.Provider value={api}>{children}</ApiContext.Provider>
);

export const useApi = (): Api => {
	const api = useContext(ApiContext);
	if (!api) throw new Error('useApi outside ApiProvider');
	return api;
};
