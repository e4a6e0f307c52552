{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "PassServiceRoles",
      "Effect": "Allow",
      "Action": "iam:PassRole",
      "Resource": "arn:aws:iam::${account_id}:role/${role_prefix}*"
    },
    {
      "Sid": "ReadLogs",
      "Effect": "Allow",
      "Action": ["logs:GetLogEvents"],
      "Resource": "arn:aws:logs:*:${account_id}:log-group:/deploy/*"
    }
  ]
}
