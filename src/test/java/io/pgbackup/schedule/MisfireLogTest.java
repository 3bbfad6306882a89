package io.pgbackup.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.TimeZone;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quartz.CronTrigger;
import org.quartz.TriggerKey;
import org.quartz.impl.triggers.CronTriggerImpl;
import org.slf4j.LoggerFactory;

/** The line {@link MisfireLog} writes when Quartz tells it of a misfire (MisfireIT proves Quartz does, in a cluster). */
class MisfireLogTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger("pg-backup");
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void listen() {
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void stopListening() {
        logger.detachAppender(logged);
    }

    /** A daily 02:00 UTC backup trigger whose next fire is the {@code back}-th last 02:00 before now. */
    private static CronTriggerImpl missedDaily(int back) throws ParseException {
        CronTriggerImpl trigger = new CronTriggerImpl();
        trigger.setKey(new TriggerKey("backup", "pg-backup"));
        trigger.setCronExpression("0 0 2 * * ?");
        trigger.setTimeZone(TimeZone.getTimeZone("UTC"));
        trigger.setStartTime(Date.from(Instant.now().minus(Duration.ofDays(back + 2))));
        List<Date> past = new ArrayList<>();
        Date now = new Date();
        for (Date next = trigger.getFireTimeAfter(trigger.getStartTime()); next.before(now); next = trigger.getFireTimeAfter(next)) {
            past.add(next);
        }
        trigger.setNextFireTime(past.get(past.size() - back));
        return trigger;
    }

    private List<String> warnings() {
        return logged.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void aFireMissedBeforeThisInstanceStartedIsOneWarningNamingTheScheduleAndTheMissedTime() throws Exception {
        CronTriggerImpl trigger = missedDaily(1);

        new MisfireLog(new Date()).triggerMisfired(trigger);

        assertThat(warnings()).containsExactly("backup fire of " + trigger.getNextFireTime().toInstant()
                + " was missed (no instance was running); running it now");
    }

    @Test
    void severalMissedFiresAreOneWarningFromTheFirstWithHowManyCameAfter() throws Exception {
        CronTriggerImpl trigger = missedDaily(3);

        new MisfireLog(new Date()).triggerMisfired(trigger);

        assertThat(warnings()).containsExactly("backup fires of " + trigger.getNextFireTime().toInstant()
                + " and 2 later were missed (no instance was running); running one now");
    }

    @Test
    void aFireMissedWhileThisInstanceRanIsHeldUpAndOneThatIsNotRunSaysSo() throws Exception {
        CronTriggerImpl trigger = missedDaily(1);
        trigger.setMisfireInstruction(CronTrigger.MISFIRE_INSTRUCTION_DO_NOTHING);

        new MisfireLog(new Date(0)).triggerMisfired(trigger);

        assertThat(warnings()).containsExactly("backup fire of " + trigger.getNextFireTime().toInstant()
                + " was missed (the schedule was held up past the misfire threshold); not run");
    }
}
