// An async handler in ESM: module code runs once per instance; the handler once per invocation.
const startedAt = new Date().toISOString();

export const handler = async (event, context) => {
  const name = typeof event?.name === 'string' ? event.name : 'world';
  console.log(`greeting ${name}`);
  return {
    message: `${process.env.GREETING ?? 'Hello'}, ${name}!`,
    requestId: context.awsRequestId,
    instanceStartedAt: startedAt,
  };
};
