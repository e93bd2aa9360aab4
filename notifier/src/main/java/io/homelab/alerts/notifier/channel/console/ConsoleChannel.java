package io.homelab.alerts.notifier.channel.console;

import io.homelab.alerts.notifier.channel.Channel;
import io.homelab.alerts.notifier.channel.DeliveryResult;
import io.homelab.alerts.notifier.channel.OutgoingMessage;
import java.io.PrintStream;

/**
 * Prints exactly the text that would go to Telegram: the channel when no bot token is set. It is
 * paced like Telegram, so alerts are gathered into the same messages Telegram would get.
 */
public final class ConsoleChannel implements Channel {
    private final PrintStream out;

    public ConsoleChannel(PrintStream out) {
        this.out = out;
    }

    @Override
    public String name() {
        return "console";
    }

    @Override
    public DeliveryResult send(OutgoingMessage message) {
        synchronized (out) {
            String topic = (message.threadId() == null ? "" : " topic " + message.threadId())
                    + (message.replyTo() == null ? "" : ", in reply to message " + message.replyTo());
            out.println("----- Telegram message for chat " + message.chatId() + topic + " (console: TELEGRAM_BOT_TOKEN not set) -----");
            out.println(message.html());
            if (!message.buttons().isEmpty()) {
                StringBuilder row = new StringBuilder();
                message.buttons().forEach(b -> row.append("[ ").append(b.text()).append(" ] "));
                out.println(row.toString().stripTrailing() + "   (buttons work in Telegram only)");
            }
            out.println("-----");
            out.flush();
        }
        return new DeliveryResult.Delivered();
    }
}
