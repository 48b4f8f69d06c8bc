package dev.flotilla.planner.milp;

/** How server priorities enter the objective when not every server can be served. */
public enum PriorityObjective {
  /**
   * The default. Maximise the number of fully served servers of the most important priority, then
   * of the next one (never undoing what a more important priority achieved), and so on; with
   * {@link Shortfall#BEST_EFFORT} then maximise each priority's partly served share in the same
   * order; last minimise cost plus transition penalty. One solve per stage.
   */
  LEXICOGRAPHIC,
  /**
   * One solve minimising cost plus transition penalty plus, for every server, the penalty of its
   * priority ({@link MilpSettings#unservedPenalty()}) times its unserved share. Finite penalties
   * let cost win over serving a server; pick them in the unit of the options' costs.
   */
  WEIGHTED
}
