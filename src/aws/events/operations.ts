import type { BusService, Input, Output } from '../../services/bus/service.ts';

/** EventBridge's operations, by name, onto the bus service; `trace`: the request's X-Amzn-Trace-Id. */
export function eventsOperations(
  svc: BusService,
): Record<string, (input: Input, trace?: string) => Promise<Output>> {
  return {
    CreateEventBus: (i) => svc.createEventBus(i),
    DescribeEventBus: (i) => svc.describeEventBus(i),
    ListEventBuses: (i) => svc.listEventBuses(i),
    DeleteEventBus: (i) => svc.deleteEventBus(i),
    PutRule: (i) => svc.putRule(i),
    DescribeRule: (i) => svc.describeRule(i),
    ListRules: (i) => svc.listRules(i),
    EnableRule: (i) => svc.enableRule(i),
    DisableRule: (i) => svc.disableRule(i),
    DeleteRule: (i) => svc.deleteRule(i),
    ListRuleNamesByTarget: (i) => svc.listRuleNamesByTarget(i),
    TestEventPattern: (i) => svc.testEventPattern(i),
    PutTargets: (i) => svc.putTargets(i),
    RemoveTargets: (i) => svc.removeTargets(i),
    ListTargetsByRule: (i) => svc.listTargetsByRule(i),
    PutEvents: (i, trace) => svc.putEvents(i, trace),
  };
}
