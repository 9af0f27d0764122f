# Alerts: an SNS topic with an e-mail subscription, and an alarm when the instance's CPU stays
# above 80% for ten minutes.

variable "instance_id" {
  type = string
}

variable "sns_email" {
  type = string
}

variable "environment" {
  type = string
}

resource "aws_sns_topic" "alerts" {
  name = "chatbot-${var.environment}-alerts"
}

resource "aws_sns_topic_subscription" "email" {
  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = var.sns_email
}

resource "aws_cloudwatch_metric_alarm" "cpu" {
  alarm_name          = "chatbot-${var.environment}-cpu"
  alarm_description   = "CPU above 80% for ten minutes"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 2
  metric_name         = "CPUUtilization"
  namespace           = "AWS/EC2"
  period              = 300
  statistic           = "Average"
  threshold           = 80
  alarm_actions       = [aws_sns_topic.alerts.arn]

  dimensions = {
    InstanceId = var.instance_id
  }
}
