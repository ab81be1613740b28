import { useEffect, useState } from 'react';
import { loadKubeprom } from '../kubeprom/load';
import type { Kubeprom } from '../kubeprom/types';

export type KubepromState = { kp?: Kubeprom; error?: Error };

/** The kubeprom core, once loaded. */
export function useKubeprom(): KubepromState {
  const [state, setState] = useState<KubepromState>({});
  useEffect(() => {
    let live = true;
    loadKubeprom().then(
      (kp) => live && setState({ kp }),
      (error) => live && setState({ error: error instanceof Error ? error : new Error(String(error)) })
    );
    return () => {
      live = false;
    };
  }, []);
  return state;
}
