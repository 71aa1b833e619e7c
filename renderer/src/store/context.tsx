import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { SoftphoneStore } from './store.js';

const StoreContext = createContext<StoreApi<SoftphoneStore> | null>(null);

export function StoreProvider({ store, children }: { store: StoreApi<SoftphoneStore>; children: ReactNode }) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

/** Selects from the store. Selectors must return stable values (fields, not fresh arrays). */
export function useSoftphone<T>(selector: (s: SoftphoneStore) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useSoftphone outside <StoreProvider>');
  return useStore(store, selector);
}
