# A policy in an indented heredoc (<<-EOF): the indentation is stripped, and the finding still points
# at the line inside the heredoc that holds the offending Resource.
resource "aws_iam_user_policy" "ci" {
  name = "ci"
  user = "ci-deployer"
  policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "iam:PassRole",
          "Resource": "arn:aws:iam::123456789012:role/Deploy*"
        }
      ]
    }
  EOF
}
