package io.pgbackup.schedule;

import java.util.Date;

import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;
import org.quartz.CronTrigger;
import org.quartz.Trigger;
import org.quartz.impl.matchers.EverythingMatcher;
import org.quartz.listeners.TriggerListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WARN line for each misfire of a schedule (backup, verify, managed-backup-check), naming the fire time that was
 * missed: a fire nobody took (every clustered instance down at its time, or the schedule held up past
 * SCHEDULER_MISFIRE_THRESHOLD_MS) is otherwise run late without a word, logged with its late time only. Quartz tells
 * a trigger listener of the misfire before it moves the trigger on, so the trigger still holds the missed time.
 */
public final class MisfireLog extends TriggerListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup");
    /** Later missed fires counted at most up to this many (a per-second cron down for days). */
    private static final int COUNT_LIMIT = 10_000;

    private final Date started;

    MisfireLog(Date started) {
        this.started = started;
    }

    /** Adds the log to the Quartz scheduler of {@code context}'s schedules, before it starts. */
    public static void register(CamelContext context) {
        context.getComponent("quartz", QuartzComponent.class).addScheduleInitTask(scheduler -> scheduler
                .getListenerManager().addTriggerListener(new MisfireLog(new Date()), EverythingMatcher.allTriggers()));
    }

    @Override
    public String getName() {
        return "pg-backup-misfire-log";
    }

    @Override
    public void triggerMisfired(Trigger trigger) {
        Date missed = trigger.getNextFireTime();
        if (missed == null) {
            return;
        }
        int later = laterMissed(trigger, missed, new Date());
        String fires = later == 0 ? "fire of " + missed.toInstant() + " was"
                : "fires of " + missed.toInstant() + " and " + later + " later were";
        String reason = missed.before(started) ? "no instance was running" : "the schedule was held up past the misfire threshold";
        String action = !runsNow(trigger) ? "not run" : later == 0 ? "running it now" : "running one now";
        LOG.warn("{} {} missed ({}); {}", trigger.getKey().getName(), fires, reason, action);
    }

    /** How many more fires the trigger missed after {@code missed} and before {@code now}. */
    static int laterMissed(Trigger trigger, Date missed, Date now) {
        int later = 0;
        for (Date next = trigger.getFireTimeAfter(missed); next != null && next.before(now) && later < COUNT_LIMIT;
                next = trigger.getFireTimeAfter(next)) {
            later++;
        }
        return later;
    }

    private static boolean runsNow(Trigger trigger) {
        return !(trigger instanceof CronTrigger && trigger.getMisfireInstruction() == CronTrigger.MISFIRE_INSTRUCTION_DO_NOTHING);
    }
}
