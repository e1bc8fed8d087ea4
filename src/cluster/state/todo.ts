/**
 * What the cluster does before the event loop sleeps (Redis's
 * todo_before_sleep): changes made during a turn are saved and the state
 * recomputed once, at its end.
 */
export interface ClusterTodo {
  saveConfig: boolean;
  fsyncConfig: boolean;
  updateState: boolean;
}

export const emptyTodo = (): ClusterTodo => ({ saveConfig: false, fsyncConfig: false, updateState: false });
