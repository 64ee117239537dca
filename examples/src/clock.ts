// A TypeScript handler: Baton bundles it with esbuild at deploy time.
interface ClockEvent {
  timeZone?: string;
}

export const handler = async (event: ClockEvent): Promise<{ now: string; timeZone: string }> => {
  const timeZone = event.timeZone ?? 'UTC';
  const now = new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'full', timeStyle: 'long' }).format(
    new Date(),
  );
  return { now, timeZone };
};
