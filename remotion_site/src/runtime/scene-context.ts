import {createContext} from 'react';

// Which scene is rendering below: what a warning about its media or its icons names.
export type SceneIdentity = {id: string; name: string};
export const SceneContext = createContext<SceneIdentity | null>(null);
