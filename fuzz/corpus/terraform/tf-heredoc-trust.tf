# A trust policy in an indented heredoc that also trusts a whole account: PR003 on the line inside
# the heredoc that names the account.
resource "aws_iam_role" "jobs" {
  name               = "jobs"
  path               = "/batch/"
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "sts:AssumeRole",
          "Principal": {
            "Service": "ecs-tasks.amazonaws.com",
            "AWS": "arn:aws:iam::210987654321:root"
          }
        }
      ]
    }
  EOT
}

resource "aws_ecs_task_definition" "jobs" {
  family                = "jobs"
  task_role_arn         = aws_iam_role.jobs.arn
  container_definitions = jsonencode([{ name = "job", image = "busybox:1.36", essential = true }])
}
